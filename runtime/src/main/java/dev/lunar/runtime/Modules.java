package dev.lunar.runtime;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;

/** Questions about a parsed module that Chicory's model does not answer directly. */
final class Modules {
  private Modules() {}

  /** The type of function {@code index} in the module's function index space. */
  static FunctionType functionType(WasmModule module, int index) {
    var imports = module.importSection();
    int imported = 0;
    for (int i = 0; i < imports.importCount(); i++) {
      if (imports.getImport(i).importType() == ExternalType.FUNCTION) {
        if (imported == index) {
          int typeIndex = ((FunctionImport) imports.getImport(i)).typeIndex();
          return module.typeSection().getType(typeIndex);
        }
        imported++;
      }
    }
    return module.functionSection().getFunctionType(index - imported, module.typeSection());
  }
}
