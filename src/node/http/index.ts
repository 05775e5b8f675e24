/**
 * The node's HTTP API (node spec §4): status, metrics, the records API and
 * self-service registration, on `node:http`.
 */
export { type BodyRead, isJsonObject, MAX_BODY_BYTES, parseJsonBody, readBody } from './body.js';
export {
  assertSafeBind,
  DEFAULT_HTTP_LIMITS,
  type HttpApiConfig,
  type HttpLimits,
  httpApiConfigFromNode,
  isLoopbackHost,
  OpenPublicBindError,
  type RecordCaps,
} from './config.js';
export { type HttpMethod, RequestContext } from './context.js';
export { type HttpApiDeps, type HttpClock, systemClock } from './deps.js';
export { type JsonValue, toJsonText } from './json-text.js';
export { HTTP_REQUESTS_METRIC, httpRequestCounter } from './metrics.js';
export {
  isSafeTxtValue,
  isValidRecordName,
  percentDecode,
  RECORDS_PATH,
  recordNameFromTarget,
} from './record-name.js';
export type { Route, RouteHandler, RouteMatch } from './router.js';
export { builtinRoutes, createHttpApi, type HttpApi } from './server.js';
export type { ApiServices } from './services.js';
