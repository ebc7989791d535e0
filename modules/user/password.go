package user

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters of new hashes at the production cost: OWASP's
// minimum recommendation (19 MiB, 2 passes, 1 lane). Stored hashes carry
// their own parameters, so raising these later leaves existing hashes
// verifiable.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// PasswordCost is the argon2id cost of the hashes of new passwords. The
// zero value is the production cost, OWASP's minimum recommendation
// (19 MiB, 2 passes, 1 lane). Tests lower it so that each registration and
// sign-in does not spend the production cost (about 100 ms under -race);
// a deployment leaves it zero. Every hash stores its own parameters, so
// hashes made at one cost verify under any other.
type PasswordCost struct {
	// MemoryKiB is the memory of one hash, in KiB: 8 to 1 GiB.
	MemoryKiB uint32
	// Passes is the number of passes over that memory: 1 to 64.
	Passes uint32
}

// orDefault returns c, or the production cost for the zero value.
func (c PasswordCost) orDefault() PasswordCost {
	if c == (PasswordCost{}) {
		return PasswordCost{MemoryKiB: argonMemoryKiB, Passes: argonTime}
	}
	return c
}

// validate reports a cost whose hashes verifyPassword would refuse.
func (c PasswordCost) validate() error {
	if c.MemoryKiB < 8*argonThreads || c.MemoryKiB > maxMemoryKiB || c.Passes < 1 || c.Passes > maxTime {
		return fmt.Errorf("user: password cost %d KiB × %d passes out of range (8 KiB–1 GiB, 1–%d passes)", c.MemoryKiB, c.Passes, maxTime)
	}
	return nil
}

// Bounds on the parameters accepted from a stored hash, so that a corrupt
// or hostile row cannot make verification allocate gigabytes or spin.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	minSaltLen   = 8
	minKeyLen    = 16
	maxKeyLen    = 128
)

// errMalformedHash is returned for a stored hash that is not a PHC argon2id
// string this package can verify.
var errMalformedHash = errors.New("user: malformed password hash")

// hashSlots bounds the number of argon2id computations running at once:
// each holds 19 MiB, so a burst of sign-ins must not multiply that by the
// number of requests.
var hashSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 2))

// argonHash is a parsed PHC string.
type argonHash struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

// String returns h in PHC form:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, base64 without padding.
func (h argonHash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.memory, h.time, h.threads,
		base64.RawStdEncoding.EncodeToString(h.salt),
		base64.RawStdEncoding.EncodeToString(h.key))
}

// hashPassword returns the PHC string of a fresh argon2id hash of password
// with a random salt, at cost (the zero value: the production cost). It
// waits for a free hashing slot, or returns ctx's error.
func hashPassword(ctx context.Context, cost PasswordCost, password string) (string, error) {
	cost = cost.orDefault()
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("user: read salt: %w", err)
	}
	h := argonHash{memory: cost.MemoryKiB, time: cost.Passes, threads: argonThreads, salt: salt}
	key, err := derive(ctx, password, h, argonKeyLen)
	if err != nil {
		return "", err
	}
	h.key = key
	return h.String(), nil
}

// newDummyHash returns the PHC string of a hash at cost that no password
// matches: a random salt and a random key instead of a derived one. An
// unknown email's sign-in verifies against it, which derives one key with
// the same parameters as a real stored hash — the same work, so the same
// time — while making it costs no argon2id run (the process starts ~100 ms
// sooner and without the 19 MiB the hash would touch). A password matches
// only if argon2id maps it to 32 random bytes: 2⁻²⁵⁶, and the sign-in
// refuses an unknown account even then.
func newDummyHash(cost PasswordCost) (string, error) {
	cost = cost.orDefault()
	h := argonHash{memory: cost.MemoryKiB, time: cost.Passes, threads: argonThreads,
		salt: make([]byte, argonSaltLen), key: make([]byte, argonKeyLen)}
	if _, err := rand.Read(h.salt); err != nil {
		return "", fmt.Errorf("user: read salt: %w", err)
	}
	if _, err := rand.Read(h.key); err != nil {
		return "", fmt.Errorf("user: read dummy key: %w", err)
	}
	return h.String(), nil
}

// verifyPassword reports whether password matches the stored PHC string,
// computing the hash with the parameters stored in it and comparing in
// constant time. A malformed stored string is errMalformedHash, never a
// panic.
func verifyPassword(ctx context.Context, stored, password string) (bool, error) {
	h, err := parseHash(stored)
	if err != nil {
		return false, err
	}
	key, err := derive(ctx, password, h, uint32(len(h.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

func derive(ctx context.Context, password string, h argonHash, keyLen uint32) ([]byte, error) {
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, keyLen), nil
}

// parseHash parses a PHC argon2id string, checking every part and bounding
// the parameters.
func parseHash(s string) (argonHash, error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return argonHash{}, errMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return argonHash{}, fmt.Errorf("%w: unsupported version %q", errMalformedHash, parts[2])
	}
	var (
		h              argonHash
		seenM, seenT   bool
		seenP          bool
		memory, passes uint64
		threads        uint64
	)
	for kv := range strings.SplitSeq(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return argonHash{}, errMalformedHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return argonHash{}, errMalformedHash
		}
		switch {
		case k == "m" && !seenM:
			memory, seenM = n, true
		case k == "t" && !seenT:
			passes, seenT = n, true
		case k == "p" && !seenP:
			threads, seenP = n, true
		default:
			return argonHash{}, errMalformedHash
		}
	}
	if !seenM || !seenT || !seenP ||
		threads < 1 || threads > 255 || passes < 1 || passes > maxTime ||
		memory < 8*threads || memory > maxMemoryKiB {
		return argonHash{}, fmt.Errorf("%w: parameters out of range", errMalformedHash)
	}
	h.memory, h.time, h.threads = uint32(memory), uint32(passes), uint8(threads)
	var err error
	if h.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(h.salt) < minSaltLen {
		return argonHash{}, fmt.Errorf("%w: bad salt", errMalformedHash)
	}
	if h.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
		return argonHash{}, fmt.Errorf("%w: bad key", errMalformedHash)
	}
	return h, nil
}
