#pragma once
// Byte-level helpers shared by iai's file formats (checkpoints, model files, IDX): little- and
// big-endian integer coding, CRC-32, overflow-checked sizes and bytes quoted for messages.
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace iai::detail {

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "iai's file formats need a little- or big-endian platform");

template <class U>
void storeLE(unsigned char* out, U v) {
  for (std::size_t i = 0; i < sizeof(U); ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}
template <class U>
U loadLE(const unsigned char* in) {
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) v |= static_cast<U>(static_cast<U>(in[i]) << (8 * i));
  return v;
}
template <class U>
void storeBE(unsigned char* out, U v) {
  for (std::size_t i = 0; i < sizeof(U); ++i)
    out[i] = static_cast<unsigned char>(v >> (8 * (sizeof(U) - 1 - i)));
}
template <class U>
U loadBE(const unsigned char* in) {
  U v = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) v = static_cast<U>((v << 8) | in[i]);
  return v;
}
/// The unsigned integer with the bits of a float (4 bytes) or double (8 bytes).
template <class S>
using ScalarBits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): zlib's crc32().
constexpr std::array<std::uint32_t, 256> makeCrcTable() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
inline constexpr std::array<std::uint32_t, 256> kCrcTable = makeCrcTable();

class Crc32 {
 public:
  void update(const unsigned char* p, std::size_t n) {
    std::uint32_t c = state_;
    for (std::size_t i = 0; i < n; ++i) c = kCrcTable[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    state_ = c;
  }
  std::uint32_t value() const { return ~state_; }

 private:
  std::uint32_t state_ = 0xFFFFFFFFu;
};

/// a · b, or false on uint64 overflow.
inline bool mulChecked(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
  out = a * b;
  return true;
}

/// "0x" and `digits` upper-case hex digits.
inline std::string hex(std::uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, static_cast<unsigned>(v));
  return buf;
}

/// Bytes shown in messages: printable ASCII as is, others as \xNN, quoted.
inline std::string quoteBytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out + "\"";
}

}  // namespace iai::detail
