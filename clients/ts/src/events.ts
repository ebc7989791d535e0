/**
 * @harnesshero/client/events: the envelope every platform event travels in
 * (harness.events.v1) and the payloads of the builder, user and order
 * events, for consumers of the event stream.
 *
 * @module
 */

export * from "./gen/harness/events/v1/envelope_pb.js";
export * from "./gen/harness/builder/v1/events_pb.js";
export * from "./gen/harness/user/v1/events_pb.js";
export * from "./gen/harness/order/v1/events_pb.js";
