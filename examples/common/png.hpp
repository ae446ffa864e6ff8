#pragma once
// PNG image grids for the example programs (line plots stay SVG: svg.hpp). 8-bit grey or RGB,
// written atomically (iai::writeFileAtomically). With zlib (IAI_HAVE_ZLIB) the pixels are
// deflate-compressed; without it they go into stored (uncompressed) deflate blocks, which every
// PNG reader accepts too. The chunk CRCs are iai's CRC-32 (core/binary_io.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <iai/core/binary_io.hpp>
#include <iai/core/errors.hpp>
#include <iai/core/file.hpp>

#ifdef IAI_HAVE_ZLIB
#include <zlib.h>
#endif

namespace examples::png {

/// Row-major pixels, `channels` (1: grey, 3: RGB) interleaved bytes per pixel.
struct Image {
  int width = 0, height = 0, channels = 1;
  std::vector<unsigned char> pixels;
  unsigned char& at(int y, int x, int c) {
    return pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                   static_cast<std::size_t>(x)) * static_cast<std::size_t>(channels) +
                  static_cast<std::size_t>(c)];
  }
};

/// `rows` × `cols` cells of the images in the columns of `images` (each h × w; grey: row-major
/// pixels in [0, 1], drawn as dark ink on white; RGB: three h × w planes, channel-major as
/// CIFAR-10), each pixel drawn `scale` × `scale`, 2 white pixels between cells.
inline Image grid(const Eigen::MatrixXf& images, int rows, int cols, int h, int w, int channels,
                  int scale = 2) {
  const char* fn = "png::grid";
  IAI_CHECK(channels == 1 || channels == 3, fn, "channels", channels, "1 (grey) or 3 (RGB)");
  IAI_CHECK(images.rows() == static_cast<Eigen::Index>(h) * w * channels, fn, "images.rows()",
            images.rows(), "h · w · channels = " + std::to_string(h * w * channels));
  IAI_CHECK(rows >= 1 && cols >= 1 && scale >= 1, fn, "rows, cols, scale",
            std::to_string(rows) + ", " + std::to_string(cols) + ", " + std::to_string(scale),
            "≥ 1 each");
  const int pad = 2, cell_w = w * scale + pad, cell_h = h * scale + pad;
  Image img{cols * cell_w + pad, rows * cell_h + pad, channels, {}};
  img.pixels.assign(static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) *
                        static_cast<std::size_t>(channels),
                    255);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const Eigen::Index k = static_cast<Eigen::Index>(r) * cols + c;
      if (k >= images.cols()) continue;
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j)
          for (int ch = 0; ch < channels; ++ch) {
            const float v = std::clamp(images(static_cast<Eigen::Index>(ch) * h * w + i * w + j, k), 0.0f, 1.0f);
            const auto byte = static_cast<unsigned char>(std::lround(255 * (channels == 1 ? 1 - v : v)));
            for (int dy = 0; dy < scale; ++dy)
              for (int dx = 0; dx < scale; ++dx)
                img.at(pad + r * cell_h + i * scale + dy, pad + c * cell_w + j * scale + dx, ch) = byte;
          }
    }
  return img;
}

namespace detail {
inline void putBE32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xFFu));
}
inline void chunk(std::string& out, const char type[5], const std::string& data) {
  putBE32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  iai::detail::Crc32 crc;
  crc.update(reinterpret_cast<const unsigned char*>(body.data()), body.size());
  putBE32(out, crc.value());
}
/// A zlib stream of `raw` (RFC 1950/1951).
inline std::string zlibStream(const std::string& raw) {
#ifdef IAI_HAVE_ZLIB
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 9) != Z_OK)
    throw iai::io_error("png::save: zlib could not compress the pixels");
  out.resize(size);
  return out;
#else
  std::string out = "\x78\x01";  // deflate, 32 KiB window, no preset dictionary, fastest
  std::size_t pos = 0;
  do {  // stored blocks of at most 65535 bytes
    const std::size_t n = std::min<std::size_t>(65535, raw.size() - pos);
    const bool last = pos + n == raw.size();
    out.push_back(static_cast<char>(last ? 1 : 0));
    out.push_back(static_cast<char>(n & 0xFF)), out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(~n & 0xFF)), out.push_back(static_cast<char>((~n >> 8) & 0xFF));
    out.append(raw, pos, n);
    pos += n;
  } while (pos < raw.size());
  std::uint32_t a = 1, b = 0;  // Adler-32
  for (unsigned char ch : raw) a = (a + ch) % 65521, b = (b + a) % 65521;
  putBE32(out, (b << 16) | a);
  return out;
#endif
}
}  // namespace detail

/// The PNG file of `img` as bytes.
inline std::string encode(const Image& img) {
  std::string raw;  // one filter byte (0: none) before every row
  const std::size_t row = static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.channels);
  raw.reserve((row + 1) * static_cast<std::size_t>(img.height));
  for (int y = 0; y < img.height; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(img.pixels.data()) + static_cast<std::size_t>(y) * row, row);
  }
  std::string ihdr;
  detail::putBE32(ihdr, static_cast<std::uint32_t>(img.width));
  detail::putBE32(ihdr, static_cast<std::uint32_t>(img.height));
  ihdr += std::string{'\x08', static_cast<char>(img.channels == 3 ? 2 : 0), '\0', '\0', '\0'};
  std::string file = "\x89PNG\r\n\x1a\n";
  detail::chunk(file, "IHDR", ihdr);
  detail::chunk(file, "IDAT", detail::zlibStream(raw));
  detail::chunk(file, "IEND", "");
  return file;
}

/// Writes `img` as a PNG file (atomically).
/// @throws iai::io_error if the file cannot be written.
inline void save(const Image& img, const std::string& path) {
  iai::writeFileAtomically(path, encode(img), "png::save");
}

/// `img` as a data URI (base64, RFC 4648), e.g. for an SVG <image> (svg::heatMap).
inline std::string dataUri(const Image& img) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string bytes = encode(img);
  std::string out = "data:image/png;base64,";
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k)
      v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k)
      out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63u] : '=';
  }
  return out;
}

}  // namespace examples::png
