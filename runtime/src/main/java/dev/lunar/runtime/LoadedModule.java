package dev.lunar.runtime;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;

/**
 * A parsed and validated module, ready to instantiate any number of times.
 *
 * @param name what the user called it (a file name), for messages
 * @param module Chicory's parsed module
 * @param machines compiled machine factory, or {@code null} to interpret
 */
public record LoadedModule(String name, WasmModule module, Function<Instance, Machine> machines) {}
