// @grafana/ui's ESM build default-imports the CommonJS react-custom-scrollbars-2, which esbuild resolves to
// the whole exports object. Re-export the component as a proper default export.
import * as cjs from 'react-custom-scrollbars-2-original';

const mod = cjs.default && cjs.default.Scrollbars ? cjs.default : cjs;
const Scrollbars = mod.Scrollbars || mod.default;
export { Scrollbars };
export default Scrollbars;
