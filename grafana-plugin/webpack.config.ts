import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';
import aliases from './aliases.cjs';

// Extends the scaffolded config (kept untouched in .config/): nested plugins' images are copied too,
// since the base config only copies the app's own logos; modules shared with the rest of the
// repository resolve through aliases.cjs.
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    resolve: { ...base.resolve, alias: { ...(base.resolve?.alias as Record<string, string>), ...aliases } },
    plugins: [
      ...(base.plugins ?? []),
      new CopyWebpackPlugin({
        patterns: [{ from: 'panels/*/img/*', to: '.', noErrorOnMissing: false }],
      }),
    ],
  };
};

export default config;
