// Little-endian 32-bit integers in byte strings: the framing of files the agent writes.
#ifndef CELLFLEET_BASE_LITTLE_ENDIAN_H_
#define CELLFLEET_BASE_LITTLE_ENDIAN_H_

#include <cstdint>
#include <string>

namespace cellfleet::base {

inline void AppendU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Reads 4 bytes at `in`.
inline uint32_t ReadU32(const char* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  }
  return value;
}

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_LITTLE_ENDIAN_H_
