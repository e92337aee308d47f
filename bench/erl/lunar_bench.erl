%% Erlang peers of the Lunar benchmarks; each prints `name value unit` lines like the Java side.
%% Run by scripts/bench: erl -noshell -pa DIR -eval 'lunar_bench:main([...])' -s init stop
-module(lunar_bench).
-export([main/1]).

main(["spawn", N, InFlight]) ->
    spawn_rate(list_to_integer(N) div 10, list_to_integer(InFlight)), % warm-up
    Rate = spawn_rate(list_to_integer(N), list_to_integer(InFlight)),
    line("spawn.peer", Rate, "procs/s");
main(["idle", N]) ->
    idle(list_to_integer(N));
main(["ring", Size, Laps]) ->
    S = list_to_integer(Size),
    L = list_to_integer(Laps),
    ring(S, max(1, L div 5)), % warm-up
    Seconds = ring(S, L),
    line("ring.peer", S * L / Seconds, "msgs/s").

line(Name, Value, Unit) ->
    io:format("~s ~.3f ~s~n", [Name, float(Value), Unit]).

seconds_since(T0) ->
    (erlang:monotonic_time() - T0) / erlang:convert_time_unit(1, second, native).

%% spawn(fun() -> ok end) with a monitor each, at most InFlight alive, until all are DOWN.
spawn_rate(N, InFlight) ->
    T0 = erlang:monotonic_time(),
    spawn_loop(N, 0, InFlight),
    N / seconds_since(T0).

spawn_loop(0, 0, _) -> ok;
spawn_loop(Left, Alive, Max) when Left > 0, Alive < Max ->
    spawn_monitor(fun() -> ok end),
    spawn_loop(Left - 1, Alive + 1, Max);
spawn_loop(Left, Alive, Max) ->
    receive {'DOWN', _, process, _, normal} -> spawn_loop(Left, Alive - 1, Max) end.

%% N processes blocked in receive: total VM memory delta per process, and one process's own size.
idle(N) ->
    Before = settled_memory(),
    Pids = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)],
    After = settled_memory(),
    {memory, One} = erlang:process_info(hd(Pids), memory),
    line("idle.peer." ++ integer_to_list(N), (After - Before) / 1024 / N, "KiB/proc"),
    line("idle.peer-process-info", One / 1024, "KiB/proc"),
    [P ! stop || P <- Pids],
    ok.

settled_memory() ->
    timer:sleep(200),
    [erlang:garbage_collect(P) || P <- erlang:processes()],
    erlang:memory(total).

%% A token around Size processes Laps times; set-up is not timed.
ring(Size, Laps) ->
    Self = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> member(Next, Laps) end) end,
                        Self, lists:seq(1, Size)),
    T0 = erlang:monotonic_time(),
    lap(First, Laps),
    seconds_since(T0).

lap(_, 0) -> ok;
lap(First, Laps) ->
    First ! {token, 0},
    receive {token, _} -> lap(First, Laps - 1) end.

member(_, 0) -> ok;
member(Next, Laps) ->
    receive {token, Hops} -> Next ! {token, Hops + 1} end,
    member(Next, Laps - 1).
