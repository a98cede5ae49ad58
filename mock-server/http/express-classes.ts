// Request and response classes whose instances are born with Express's prototypes. Express's app.handle() sets the
// prototype of every req and res to the app's own (`Object.setPrototypeOf`), which makes V8 drop the objects' fast
// property maps and take slow paths on every later property access of the request: about a third of the main
// thread's time for a small PUT. `http.createServer({ IncomingMessage, ServerResponse })` builds each request with
// the classes given (https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener); when their instances
// already have the app's prototypes, Express's setPrototypeOf changes nothing (setting the prototype an object
// already has is a no-op, ECMAScript OrdinarySetPrototypeOf step 3).
//
// The classes are plain subclasses (`class extends`), and the app's prototypes become theirs, not the other way
// round: building an instance with `Reflect.construct(IncomingMessage, args, F)` for a function F whose prototype is
// the app's took ~100 µs per object (V8 leaves its fast construct path when new.target is not a subclass
// constructor), more than the rest of a small request's work.
import http from 'node:http';
import type { Express } from 'express';

export interface ExpressClasses {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse;
}

/**
 * `target` takes the place of `current` as a prototype: the same parent (Express's own request or response object,
 * which inherits from node's) and the same own properties (`app`, and anything set on the app's prototype so far,
 * such as the x-oss-server-time stamp of http/common-headers.ts).
 */
function takeOver(target: object, current: object): void {
  Object.setPrototypeOf(target, Object.getPrototypeOf(current) as object);
  Object.defineProperties(target, Object.getOwnPropertyDescriptors(current));
}

/**
 * Constructors for `http.createServer` whose instances have `app.request` / `app.response` as prototypes. The app's
 * `request` and `response` are replaced by the classes' prototypes (carrying over what they held), so call this
 * once per app, before the server takes requests; changes made to app.request / app.response later still apply.
 */
export function expressClasses(app: Express): ExpressClasses {
  class Request extends http.IncomingMessage {}
  class Response extends http.ServerResponse {}
  takeOver(Request.prototype, app.request);
  takeOver(Response.prototype, app.response);
  app.request = Request.prototype as unknown as Express['request'];
  app.response = Response.prototype as unknown as Express['response'];
  return { IncomingMessage: Request, ServerResponse: Response as unknown as typeof http.ServerResponse };
}
