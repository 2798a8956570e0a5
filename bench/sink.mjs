// A minimal OTLP/HTTP logs receiver for the end-to-end suite, run in its own process:
// decodes each request (protobuf or JSON), counts the log records and their trace ids, answers 200.
//   node sink.mjs   -> prints {"url": "http://127.0.0.1:PORT"}; GET /stats -> {records, requests, bytes, byTrace}
import * as http from "node:http";

const stats = { records: 0, requests: 0, bytes: 0, byTrace: {} };

function countTrace(traceId) {
  if (traceId === undefined || traceId === "") return;
  // Only a handful of spans run in the bench; cap the map anyway.
  if (traceId in stats.byTrace || Object.keys(stats.byTrace).length < 1000) {
    stats.byTrace[traceId] = (stats.byTrace[traceId] ?? 0) + 1;
  }
}

/** Iterates the fields of one protobuf message: calls fn(fieldNumber, start, end) for each length-delimited field. */
function eachField(buf, start, end, fn) {
  let pos = start;
  const varint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (pos < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = varint();
      fn(field, pos, pos + length);
      pos += length;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

// ExportLogsServiceRequest.resource_logs = 1, ResourceLogs.scope_logs = 2, ScopeLogs.log_records = 2,
// LogRecord.trace_id = 9.
function countProtobuf(buf) {
  eachField(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    eachField(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      eachField(buf, s2, e2, (f3, s3, e3) => {
        if (f3 !== 2) return;
        stats.records++;
        let traceId;
        eachField(buf, s3, e3, (f4, s4, e4) => {
          if (f4 === 9) traceId = buf.toString("hex", s4, e4);
        });
        countTrace(traceId);
      });
    });
  });
}

function countJson(buf) {
  const request = JSON.parse(buf.toString("utf8"));
  for (const resourceLogs of request.resourceLogs ?? []) {
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const record of scopeLogs.logRecords ?? []) {
        stats.records++;
        countTrace(record.traceId);
      }
    }
  }
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(stats));
    return;
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const json = (req.headers["content-type"] ?? "").includes("json");
    // Only logs are counted; anything else (spans, metrics) is accepted and ignored.
    if (!req.url?.startsWith("/v1/logs")) {
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
      res.end(json ? "{}" : undefined);
      return;
    }
    stats.requests++;
    stats.bytes += body.length;
    try {
      if (json) countJson(body);
      else countProtobuf(body);
    } catch (error) {
      res.writeHead(400);
      res.end(String(error));
      return;
    }
    // An empty ExportLogsServiceResponse: no body for protobuf, `{}` for JSON.
    res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
    res.end(json ? "{}" : undefined);
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
