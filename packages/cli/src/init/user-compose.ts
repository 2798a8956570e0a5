import { parseDocument } from "yaml";

/** The compose service that builds this repository's example; a user's project has no such Dockerfile. */
export const EXAMPLE_SERVICE = "ml-example";

/**
 * The repository's docker-compose.yml as a user's project needs it: without the example service
 * (its build context and Dockerfile exist only here) and the comments that speak of it; every other
 * service, volume and port unchanged. Runs at build time.
 */
export function userCompose(text: string): string {
  const doc = parseDocument(text);
  doc.deleteIn(["services", EXAMPLE_SERVICE]);
  const header = (doc.commentBefore ?? "").replace(
    /, plus the ML prediction example sending to it\./,
    ". Your services send OTLP to it:\n http://otel-collector:4318 on the compose network, http://localhost:4318 from the host.",
  );
  doc.commentBefore = header;
  return doc
    .toString({ lineWidth: 0, flowCollectionPadding: false })
    .replace("nor ml-example can reach them", "nor other containers can reach them")
    .replace(/ *# MLOBS_COLLECTOR=.*\n/g, "")
    .replaceAll(/MLOBS_COLLECTOR=[\w-]+ /g, "");
}
