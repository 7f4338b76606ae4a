#include "base/record_log.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/atomic_file.h"
#include "base/little_endian.h"

namespace cellfleet::base {
namespace {

constexpr size_t kHeaderBytes = 8;  // little-endian u32 length, u32 CRC-32 of the payload

uint32_t Crc(const std::string& bytes) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

absl::StatusOr<std::string> Frame(const std::vector<std::string>& records) {
  std::string out;
  for (const std::string& record : records) {
    if (record.size() > kMaxRecordBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("a record of ", record.size(), " bytes is over ", kMaxRecordBytes));
    }
    AppendU32(out, static_cast<uint32_t>(record.size()));
    AppendU32(out, Crc(record));
    out += record;
  }
  return out;
}

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<RecordLogContents> ReadRecordLog(const std::string& path) {
  RecordLogContents contents;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return contents;
    return Errno("cannot read", path);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  size_t at = 0;
  while (bytes.size() - at >= kHeaderBytes) {
    const uint32_t length = ReadU32(bytes.data() + at);
    const uint32_t crc = ReadU32(bytes.data() + at + 4);
    if (length > kMaxRecordBytes || bytes.size() - at - kHeaderBytes < length) break;
    std::string record = bytes.substr(at + kHeaderBytes, length);
    if (Crc(record) != crc) break;
    contents.records.push_back(std::move(record));
    at += kHeaderBytes + length;
  }
  contents.file_bytes = at;
  contents.dropped_bytes = bytes.size() - at;
  if (contents.dropped_bytes > 0 && ::truncate(path.c_str(), static_cast<off_t>(at)) != 0) {
    return Errno("cannot cut the damaged tail off", path);
  }
  return contents;
}

absl::StatusOr<size_t> AppendRecords(const std::string& path,
                                     const std::vector<std::string>& records, unsigned mode) {
  absl::StatusOr<std::string> framed = Frame(records);
  if (!framed.ok()) return framed.status();
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot open", path);
  const off_t before = ::lseek(fd, 0, SEEK_END);
  size_t written = 0;
  while (written < framed->size()) {
    const ssize_t n = ::write(fd, framed->data() + written, framed->size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const absl::Status error = Errno("cannot append to", path);
      // A part written (a full disk) would hide every later record behind it: cut it off.
      if (before >= 0 && ::ftruncate(fd, before) != 0) {
        ::close(fd);
        return Errno("cannot cut a failed append off", path);
      }
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) {
    const absl::Status error = Errno("cannot sync", path);
    ::close(fd);
    return error;
  }
  ::close(fd);
  return written;
}

absl::StatusOr<size_t> RewriteRecordLog(const std::string& path,
                                        const std::vector<std::string>& records, unsigned mode) {
  absl::StatusOr<std::string> framed = Frame(records);
  if (!framed.ok()) return framed.status();
  if (absl::Status written = WriteFileAtomically(path, *framed, mode); !written.ok()) {
    return written;
  }
  return framed->size();
}

}  // namespace cellfleet::base
