#include "collector/shard.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cellfleet::collector {

absl::StatusOr<Shard> ParseShard(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  Shard shard;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &shard.index) ||
      !absl::SimpleAtoi(parts[1], &shard.count) || shard.count == 0 || shard.count > 1024 ||
      shard.index >= shard.count) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shard \"", text, "\": expected i/n with 0 <= i < n <= 1024, e.g. 0/4"));
  }
  return shard;
}

uint64_t StableHash(absl::string_view name) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a offset basis
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ull;  // FNV prime
  }
  return hash;
}

bool InShard(absl::string_view board_name, const Shard& shard) {
  return StableHash(board_name) % shard.count == shard.index;
}

std::vector<fleet::Board> BoardsOfShard(const std::vector<fleet::Board>& boards,
                                        const Shard& shard) {
  std::vector<fleet::Board> out;
  for (const fleet::Board& board : boards) {
    if (InShard(board.name, shard)) out.push_back(board);
  }
  return out;
}

}  // namespace cellfleet::collector
