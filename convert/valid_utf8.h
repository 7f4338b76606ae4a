// Protobuf's parsers refuse a message whose string field holds invalid UTF-8, so one
// garbled byte from a modem (line noise, a Latin-1 operator name, a reply cut short) in a
// status sample would cost every client that sample, and a stream its connection. Each
// message built from modem text is made valid here before it leaves the agent.
#ifndef CELLFLEET_CONVERT_VALID_UTF8_H_
#define CELLFLEET_CONVERT_VALID_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace cellfleet::convert {

// `text` with each byte that is not part of well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF) replaced by U+FFFD; `replaced`, if given,
// counts them.
std::string WithValidUtf8(absl::string_view text, size_t* replaced = nullptr);

// Every string field of `message` and of the messages in it, made valid as above (bytes
// fields are left alone). Returns how many bytes were replaced.
size_t MakeStringsValidUtf8(google::protobuf::Message& message);

}  // namespace cellfleet::convert

#endif  // CELLFLEET_CONVERT_VALID_UTF8_H_
