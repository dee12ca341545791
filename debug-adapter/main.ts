/**
 * The debug adapter's entry point: DAP over stdin/stdout, or as a TCP server
 * with --server=PORT (every connection is a session). Bundled into
 * dist/debugAdapter.js by scripts/bundle.js.
 */
import { PvlabSession } from './session';

PvlabSession.run(PvlabSession);
