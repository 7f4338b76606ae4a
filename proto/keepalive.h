// How the agent and its clients keep a connection through a carrier's NAT alive for the
// fewest billed bytes (docs/history-and-usage.md, "Keepalive on cellular links"): a watch stream's
// heartbeat is the keepalive. Both ends read these, so the rule lives here once.
#ifndef CELLFLEET_PROTO_KEEPALIVE_H_
#define CELLFLEET_PROTO_KEEPALIVE_H_

#include "absl/time/time.h"

namespace cellfleet {

// An on-change stream's heartbeat when the client asks for none. Below 5 minutes, the
// shortest idle timeout of a carrier's NAT we plan for (RFC 5382 asks for at least
// 2 h 4 min; operators configure less); a board behind a shorter one is given a shorter
// `--heartbeat`. Each heartbeat costs about 160 IP bytes with its ACK.
inline constexpr absl::Duration kDefaultStreamHeartbeat = absl::Minutes(4);

// Clients ping only when nothing arrived for longer than a heartbeat (gRPC restarts the
// ping timer on every read), so a live stream costs no pings, and a board that went
// silent is found within this plus kKeepaliveTimeout.
inline constexpr absl::Duration kClientKeepaliveTime = absl::Minutes(5);
// LTE round trips spike to seconds; a ping unanswered this long ends the connection.
inline constexpr absl::Duration kKeepaliveTimeout = absl::Seconds(20);
// The agent's own pings: a safety net that finds clients gone without a word (a
// heartbeat to them is retransmitted until TCP gives up); rare, as each costs ~290 bytes.
inline constexpr absl::Duration kAgentKeepaliveTime = absl::Minutes(30);
// Clients may ping no more often than this (more is a misbehaving client: GOAWAY).
inline constexpr absl::Duration kMinClientPingInterval = absl::Minutes(1);

}  // namespace cellfleet

#endif  // CELLFLEET_PROTO_KEEPALIVE_H_
