/**
 * Helpers shared by the alerting tests: paths, YAML loading, running promtool / amtool, and a copy of
 * alertmanager.yml whose receivers all post to a local webhook (routes, grouping and inhibitions kept).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';

export const REPO = resolve(__dirname, '../..');
export const ALERTING = join(REPO, 'alerting');
export const RULE_FILES = [join(ALERTING, 'rules/recording.yml'), join(ALERTING, 'rules/alerts.yml')];
export const ALERTMANAGER_YML = join(ALERTING, 'alertmanager.yml');
export const RUNBOOK_BASE = 'https://github.com/chargewatch/chargewatch/blob/main/alerting/runbooks/';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary to completion. A missing binary is an error that names it, never a skipped test. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const res = spawnSync(cmd, args, { cwd: opts.cwd ?? REPO, env: opts.env ?? process.env, encoding: 'utf8', timeout: 120_000 });
  if (res.error) {
    const code = (res.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${cmd} is not installed or not on PATH; this test needs it` : `${cmd} failed to run: ${res.error.message}`);
  }
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

export function loadYaml<T = any>(path: string): T {
  return YAML.parse(readFileSync(path, 'utf8')) as T;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export function alertRules(): AlertRule[] {
  const doc = loadYaml<{ groups: { rules: AlertRule[] }[] }>(join(ALERTING, 'rules/alerts.yml'));
  return doc.groups.flatMap((g) => g.rules);
}

export function recordingRules(): RecordingRule[] {
  const doc = loadYaml<{ groups: { rules: RecordingRule[] }[] }>(join(ALERTING, 'rules/recording.yml'));
  return doc.groups.flatMap((g) => g.rules);
}

export function alertNames(): string[] {
  return [...new Set(alertRules().map((r) => r.alert))];
}

/**
 * alertmanager.yml with every receiver replaced by a webhook to `webhookUrl` (receiver names kept, so
 * the payload's `receiver` field shows which route matched). Templates point at the repository copy.
 */
export function alertmanagerConfigWithWebhook(webhookUrl: string): string {
  const doc = loadYaml<any>(ALERTMANAGER_YML);
  doc.templates = [join(ALERTING, 'templates/*.tmpl')];
  doc.receivers = (doc.receivers as { name: string }[]).map((r) => ({
    name: r.name,
    webhook_configs: [{ url: webhookUrl, send_resolved: true }],
  }));
  return YAML.stringify(doc);
}
