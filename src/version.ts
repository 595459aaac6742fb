/** This analyzer's version (package.json), in run headers and `synergy --version`. */
export const VERSION = '0.1.0';
