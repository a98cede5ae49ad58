// Outcomes of reading a request that leave nothing to answer: the caller must not write a response.

/** The client went away (disconnect, short body) before its body ended; nothing was committed. */
export class BodyAbortedError extends Error {
  readonly bytesReceived: number;

  constructor(bytesReceived: number) {
    super(`client disconnected after ${bytesReceived} body bytes`);
    this.name = 'BodyAbortedError';
    this.bytesReceived = bytesReceived;
  }
}

/** A rule's reset/close fault dropped the connection; nothing was committed. */
export class FaultFiredError extends Error {
  readonly ruleId: string;
  readonly fault: 'reset' | 'close';
  readonly atBytes: number;

  constructor(ruleId: string, fault: 'reset' | 'close', atBytes: number) {
    super(`fault ${fault} of rule ${ruleId} fired after ${atBytes} body bytes`);
    this.name = 'FaultFiredError';
    this.ruleId = ruleId;
    this.fault = fault;
    this.atBytes = atBytes;
  }
}
