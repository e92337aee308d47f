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
    line("ring.peer", S * L / Seconds, "msgs/s");
main(["wake", Sleeps | Spinners]) ->
    S = list_to_integer(Sleeps),
    wake_late(S), % warm-up
    lists:foreach(fun(N) -> wake(S, list_to_integer(N)) end, Spinners).

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

%% Wake-up latency beside N processes that compute for ever: S sleeps of 1 ms, each one's
%% lateness in microseconds; p50, p99 and max.
wake(S, N) ->
    Hogs = [spawn(fun spin/0) || _ <- lists:seq(1, N)],
    timer:sleep(200),
    Late = list_to_tuple(lists:sort(wake_late(S))),
    [exit(P, kill) || P <- Hogs],
    Name = "wake." ++ integer_to_list(N),
    line(Name ++ ".p50.peer", element(S div 2 + 1, Late), "us"),
    line(Name ++ ".p99.peer", element(S * 99 div 100 + 1, Late), "us"),
    line(Name ++ ".max.peer", element(S, Late), "us").

spin() -> spin().

wake_late(S) ->
    [begin
         T0 = erlang:monotonic_time(microsecond),
         receive after 1 -> ok end,
         erlang:monotonic_time(microsecond) - T0 - 1000
     end || _ <- lists:seq(1, S)].
