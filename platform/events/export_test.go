package events

// RelayLockID is the relays' advisory lock, for tests that hold it as
// another relay would.
const RelayLockID = relayLockID
