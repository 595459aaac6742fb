// Module hooks for packages whose JavaScript is loaded as shipped, without
// tsx's loader. tsx rewrites every dynamic import() in the modules it loads
// and builds a fine-grained source map for the rewrite; for h5wasm's 4 MB
// single-line Emscripten module that costs about 650 MB of memory, which a
// replay of an NWB file must not carry. Registered after tsx, these hooks run
// before tsx's and answer for those files themselves.
import { register } from 'node:module';

register('./plainPackagesHooks.mjs', import.meta.url);
