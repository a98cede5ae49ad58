// Request and response classes whose instances are born with Express's prototypes. Express's app.handle() sets the
// prototype of every req and res to the app's own (`Object.setPrototypeOf`), which makes V8 drop the objects' fast
// property maps and take slow paths on every later property access of the request: about a third of the main
// thread's time for a small PUT. `http.createServer({ IncomingMessage, ServerResponse })` builds each request with
// the classes given (https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener); when their instances
// already have the app's prototypes, Express's setPrototypeOf changes nothing (setting the prototype an object
// already has is a no-op, ECMAScript OrdinarySetPrototypeOf step 3).
import http from 'node:http';
import type { Express } from 'express';

export interface ExpressClasses {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse;
}

/** Constructors for `http.createServer` whose instances have `app.request` / `app.response` as prototypes. */
export function expressClasses(app: Express): ExpressClasses {
  // Reflect.construct runs node's constructor with `new.target` set to the function below, so the instance is
  // created with that function's `prototype`: the app's request (response) object, which itself inherits from
  // IncomingMessage.prototype (ServerResponse.prototype) through Express's own request (response) prototype.
  function Request(this: unknown, ...args: unknown[]): http.IncomingMessage {
    return Reflect.construct(http.IncomingMessage, args, Request) as http.IncomingMessage;
  }
  Request.prototype = app.request;
  function Response(this: unknown, ...args: unknown[]): http.ServerResponse {
    return Reflect.construct(http.ServerResponse, args, Response) as http.ServerResponse;
  }
  Response.prototype = app.response;
  return {
    IncomingMessage: Request as unknown as typeof http.IncomingMessage,
    ServerResponse: Response as unknown as typeof http.ServerResponse,
  };
}
