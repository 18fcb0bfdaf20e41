// Line streaming over zlib's gzread (which passes plain data through
// unchanged), so files, .gz files and stdin share one code path.
#include "logs/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/error.h"

namespace pocketops::logs {

namespace {
constexpr size_t kChunk = 1u << 16;
}

LineReader::LineReader(const std::string& path, LineReaderOptions opts) : path_(path), opts_(opts) {
  if (opts_.max_line_bytes < 16) opts_.max_line_bytes = 16;
  int fd;
  if (path == "-") {
    fd = dup(0);
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) throw Error("cannot open log '" + path + "': " + std::strerror(errno));
  gzFile gz = gzdopen(fd, "rb");
  if (!gz) {
    ::close(fd);
    throw Error("cannot read log '" + path + "'");
  }
  gzbuffer(gz, 1u << 17);
  gz_ = gz;
  buf_.resize(kChunk * 2);
}

LineReader::~LineReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool LineReader::fill() {
  // Compact, then grow if a single pending line fills the buffer.
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() - end_ < kChunk) buf_.resize(buf_.size() + kChunk);
  auto gz = static_cast<gzFile>(gz_);
  for (;;) {
    int n = gzread(gz, buf_.data() + end_, static_cast<unsigned>(buf_.size() - end_));
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n < 0) {
      int err = 0;
      const char* msg = gzerror(gz, &err);
      throw Error("error reading log '" + path_ + "': " + (msg ? msg : "unknown error"));
    }
    if (!opts_.follow || stopped_) return false;
    gzclearerr(gz);
    std::this_thread::sleep_for(std::chrono::milliseconds(opts_.follow_poll_ms));
    if (stopped_) return false;
  }
}

bool LineReader::next(std::string_view& line) {
  truncated_ = false;
  size_t scanned = pos_;
  for (;;) {
    const char* base = buf_.data();
    const void* nl = std::memchr(base + scanned, '\n', end_ - scanned);
    if (nl) {
      size_t e = static_cast<const char*>(nl) - base;
      size_t len = e - pos_;
      size_t start = pos_;
      pos_ = e + 1;
      if (len > 0 && base[start + len - 1] == '\r') --len;
      if (len > opts_.max_line_bytes) {
        len = opts_.max_line_bytes;
        truncated_ = true;
      }
      line = std::string_view(base + start, len);
      ++line_no_;
      return true;
    }
    scanned = end_;
    if (end_ - pos_ > opts_.max_line_bytes) {
      // Over-long line: keep its head, then discard bytes up to the newline.
      line_.assign(buf_.data() + pos_, opts_.max_line_bytes);
      pos_ = end_ = 0;
      for (;;) {
        if (!fill()) break;
        const void* n2 = std::memchr(buf_.data(), '\n', end_);
        if (n2) {
          pos_ = static_cast<const char*>(n2) - buf_.data() + 1;
          break;
        }
        end_ = 0;
      }
      truncated_ = true;
      line = line_;
      ++line_no_;
      return true;
    }
    size_t before = end_ - pos_;
    if (!fill()) {
      if (end_ > pos_) {  // final line without a newline
        size_t len = end_ - pos_;
        if (base = buf_.data(); len > 0 && base[pos_ + len - 1] == '\r') --len;
        line_.assign(buf_.data() + pos_, len);
        pos_ = end_;
        line = line_;
        ++line_no_;
        return true;
      }
      return false;
    }
    scanned = pos_ + before;  // fill() compacted: pos_ is now 0
  }
}

}  // namespace pocketops::logs
