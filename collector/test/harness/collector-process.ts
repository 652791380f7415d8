/**
 * `chargewatch collector` from the sources, for tests that need a collector process they can kill -9.
 * Run with `node --import tsx` and TSX_TSCONFIG_PATH=tsconfig.dev.json (which maps @chargewatch/* to
 * the sources); configured by environment like the real one.
 */
import { main } from '@chargewatch/cli';

void main(['collector']);
