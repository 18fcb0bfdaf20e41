// Streams lines from a file, a .gz file (detected by content) or stdin, with a
// per-line size cap and an optional tail -f style follow mode.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pocketops::logs {

struct LineReaderOptions {
  size_t max_line_bytes = 4u << 20;  // longer lines are cut here (rest skipped)
  bool follow = false;               // at end of input, wait for more (tail -f)
  int follow_poll_ms = 200;
};

class LineReader {
 public:
  // path "-" reads stdin. Throws Error when the file cannot be opened.
  explicit LineReader(const std::string& path, LineReaderOptions opts = {});
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next line without its "\n" / "\r\n"; the view stays valid until the next
  // call. Returns false at end of input (never in follow mode unless stopped).
  bool next(std::string_view& line);
  // True when the last returned line was longer than max_line_bytes.
  bool last_truncated() const { return truncated_; }
  uint64_t line_number() const { return line_no_; }
  const std::string& path() const { return path_; }
  // Makes a following reader return false at its next wait (thread-safe flag).
  void stop() { stopped_ = true; }

 private:
  bool fill();  // reads more bytes; false at EOF / error
  std::string path_;
  LineReaderOptions opts_;
  void* gz_ = nullptr;  // gzFile
  std::string buf_;
  size_t pos_ = 0;  // start of unread data in buf_
  size_t end_ = 0;  // end of valid data in buf_
  std::string line_;
  bool eof_ = false;
  bool truncated_ = false;
  volatile bool stopped_ = false;
  uint64_t line_no_ = 0;
};

}  // namespace pocketops::logs
