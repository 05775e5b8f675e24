/**
 * Request routing of the HTTP API (node spec §4.3): an ordered table of
 * routes, each naming its methods and how it matches the request target.
 * HEAD is served by the GET routes (Node omits the body). A method the API
 * does not serve at all is 501; a served method with no matching route is
 * 404 `{"error": "not found"}`.
 */
import type { HttpMethod, RequestContext } from './context.js';

/** Handles one matched request; must answer through the context. */
export type RouteHandler = (ctx: RequestContext) => void | Promise<void>;

/**
 * How a route matches the request target:
 * * `exact` — the raw target equals the path (a query string makes it miss,
 *   as in the reference);
 * * `path` — the path part, ignoring any query string;
 * * a RegExp — tested against the raw target.
 */
export type RouteMatch =
  | { readonly exact: string }
  | { readonly path: string }
  | { readonly pattern: RegExp };

/** One entry of the route table. */
export interface Route {
  /** Short name for logs. */
  readonly name: string;
  /** Methods served; listing GET also serves HEAD. */
  readonly methods: readonly Exclude<HttpMethod, 'HEAD'>[];
  readonly match: RouteMatch;
  readonly handle: RouteHandler;
}

const SERVED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'DELETE']);

/** True for the methods the API answers (others get 501). */
export function isServedMethod(method: string): method is HttpMethod {
  return SERVED_METHODS.has(method);
}

function matches(match: RouteMatch, ctx: RequestContext): boolean {
  if ('exact' in match) return ctx.rawPath === match.exact;
  if ('path' in match) return ctx.path === match.path;
  return match.pattern.test(ctx.rawPath);
}

/** The first route serving `ctx`'s method and target, if any. */
export function findRoute(routes: readonly Route[], ctx: RequestContext): Route | undefined {
  const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
  return routes.find(
    (r) => (r.methods as readonly string[]).includes(method) && matches(r.match, ctx),
  );
}

/** Dispatches `ctx` through `routes`, answering 501 / 404 itself when nothing serves it. */
export async function dispatch(routes: readonly Route[], ctx: RequestContext): Promise<void> {
  if (!isServedMethod(ctx.method)) {
    ctx.error(501, 'unsupported method');
    return;
  }
  const route = findRoute(routes, ctx);
  if (route === undefined) {
    ctx.error(404, 'not found');
    return;
  }
  await route.handle(ctx);
}
