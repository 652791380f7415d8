/**
 * `chargewatch worker` from the sources, for tests that need a real worker process to signal. Run with
 * `node --import tsx` and TSX_TSCONFIG_PATH=tsconfig.dev.json (which maps @chargewatch/* to the
 * sources); configured by environment like the real one.
 */
import { main } from '@chargewatch/cli';

void main(['worker']);
