/**
 * The readout kernel's WebAssembly module (assembly/readoutKernel.ts):
 * compiled once per process, instantiated once per memory (each count
 * table set has its own). Its entries take byte addresses in that memory.
 */
import { kernelInstances } from './kernelInstances.ts';
import { READOUT_KERNEL_WASM } from './readoutKernelWasm.ts';

type Entry = (...args: number[]) => void;
export interface ReadoutExports {
  sums16: Entry;
  sums32: Entry;
  bounds16: Entry;
  bounds32: Entry;
  lookupSum: (t: number, index: number, count: number) => number;
  streamSum: (cells: number, count: number) => number;
  updatePairs16: Entry;
  updatePairs32: Entry;
  updateCross16: Entry;
  updateCross32: Entry;
  quadratic16: Entry;
  quadratic32: Entry;
}

/** The kernel bound to one memory (compiled once per process, instantiated once per memory). */
export const kernelFor = kernelInstances<ReadoutExports>(READOUT_KERNEL_WASM);
