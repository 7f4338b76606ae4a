// Which boards a collector holds when several split a fleet: `--shard i/n` takes the
// boards whose name hashes (FNV-1a, 64 bit: stable across runs, machines and versions)
// to i modulo n, so n collectors split any inventory without talking to each other.
#ifndef CELLFLEET_COLLECTOR_SHARD_H_
#define CELLFLEET_COLLECTOR_SHARD_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fleet/board.h"

namespace cellfleet::collector {

struct Shard {
  uint32_t index = 0;  // 0 .. count-1
  uint32_t count = 1;
};

// "i/n" with 0 <= i < n <= 1024; INVALID_ARGUMENT saying what is wrong otherwise.
absl::StatusOr<Shard> ParseShard(absl::string_view text);
uint64_t StableHash(absl::string_view name);
bool InShard(absl::string_view board_name, const Shard& shard);
std::vector<fleet::Board> BoardsOfShard(const std::vector<fleet::Board>& boards,
                                        const Shard& shard);

}  // namespace cellfleet::collector

#endif  // CELLFLEET_COLLECTOR_SHARD_H_
