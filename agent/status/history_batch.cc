#include "agent/status/history_batch.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "base/little_endian.h"

namespace cellfleet::agent {
namespace {

// byte 0: the format; bytes 1-4: the uncompressed size (little-endian); then zlib's
// stream of the entries, each a little-endian u32 length and the serialized entry.
constexpr char kFormat = 1;
constexpr size_t kHeader = 5;
constexpr uint32_t kMaxUncompressed = 64 << 20;

}  // namespace

std::string EncodeHistoryBatch(const std::vector<v1::HistoryEntry>& entries) {
  std::string raw;
  for (const v1::HistoryEntry& entry : entries) {
    const std::string bytes = entry.SerializeAsString();
    base::AppendU32(raw, static_cast<uint32_t>(bytes.size()));
    raw += bytes;
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string out(1, kFormat);
  base::AppendU32(out, static_cast<uint32_t>(raw.size()));
  out.resize(kHeader + size);
  compress2(reinterpret_cast<Bytef*>(out.data() + kHeader), &size,
            reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
            Z_DEFAULT_COMPRESSION);
  out.resize(kHeader + size);
  return out;
}

absl::StatusOr<std::vector<v1::HistoryEntry>> DecodeHistoryBatch(const std::string& bytes) {
  if (bytes.size() < kHeader || bytes[0] != kFormat) {
    return absl::DataLossError("not a history batch (unknown format)");
  }
  const uint32_t raw_size = base::ReadU32(bytes.data() + 1);
  if (raw_size > kMaxUncompressed) return absl::DataLossError("a history batch too large");
  std::string raw(raw_size, '\0');
  uLongf size = raw_size;
  if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &size,
                 reinterpret_cast<const Bytef*>(bytes.data() + kHeader),
                 static_cast<uLong>(bytes.size() - kHeader)) != Z_OK ||
      size != raw_size) {
    return absl::DataLossError("a history batch that does not decompress");
  }
  std::vector<v1::HistoryEntry> entries;
  for (size_t at = 0; at < raw.size();) {
    if (raw.size() - at < 4) return absl::DataLossError("a history batch cut short");
    const uint32_t length = base::ReadU32(raw.data() + at);
    at += 4;
    if (raw.size() - at < length) return absl::DataLossError("a history entry cut short");
    v1::HistoryEntry entry;
    if (!entry.ParseFromArray(raw.data() + at, static_cast<int>(length))) {
      return absl::DataLossError(absl::StrCat("a history entry that does not parse at ", at));
    }
    entries.push_back(std::move(entry));
    at += length;
  }
  return entries;
}

}  // namespace cellfleet::agent
