/**
 * The files `mlobs init` writes into a project: the repository's own collector config, compose
 * file and backend overlays, copied into the package at build time (`dist/templates/`) so that
 * they are the files this repository runs and tests. The one list of them.
 */
export const TEMPLATE_FILES = [
  "otel-collector.yaml",
  "docker-compose.yml",
  "collector/datadog.yaml",
  "collector/cloudwatch.yaml",
  "collector/agent.yaml",
  "collector/gateway.yaml",
  "collector/overlays/forward.yaml",
] as const;
