// The metadata both ends of a relayed connection agree on.
#ifndef CELLFLEET_RELAY_RELAY_NAMES_H_
#define CELLFLEET_RELAY_RELAY_NAMES_H_

namespace cellfleet::relay {

// On an operator's Connect: the board asked for (its certificate's name).
inline constexpr char kBoardMetadata[] = "cellfleet-board";
// On a board's Relay: the session the gateway offered on the attachment.
inline constexpr char kSessionMetadata[] = "cellfleet-session";
// In the initial metadata of an operator's Connect once the board's end is joined (a
// refused Connect has none): the relay may tell its caller the way is open.
inline constexpr char kSplicedMetadata[] = "cellfleet-spliced";
// The most bytes one RelayBytes message carries: a TLS record and its header.
inline constexpr size_t kChunkBytes = 16 * 1024 + 64;

}  // namespace cellfleet::relay

#endif  // CELLFLEET_RELAY_RELAY_NAMES_H_
