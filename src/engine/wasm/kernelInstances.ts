/**
 * A WebAssembly kernel bound to memories: the module (base64) is compiled
 * once, on first use, and instantiated once per memory it is given (each
 * table set has its own); `Exports` is what the caller reads of it.
 */
export function kernelInstances<Exports>(moduleBase64: string): (memory: WebAssembly.Memory) => Exports {
  let compiled: WebAssembly.Module | undefined;
  const instances = new WeakMap<WebAssembly.Memory, Exports>();
  return (memory) => {
    let kernel = instances.get(memory);
    if (kernel === undefined) {
      compiled ??= new WebAssembly.Module(Buffer.from(moduleBase64, 'base64'));
      kernel = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Exports;
      instances.set(memory, kernel);
    }
    return kernel;
  };
}
