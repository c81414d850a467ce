// The command line's behaviour pinned byte for byte: the commands of
// tests/testdata/golden/cli.script run in order against a fresh archive, and their standard
// output, standard error and exit codes, with volatile parts replaced by placeholders
// (golden.h), must equal tests/testdata/golden/cli.transcript. ATTEST_GOLDEN_RECORD=1 rewrites
// the transcript. The script's language and the rules are in tests/testdata/README.md.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/hash.h"
#include "golden.h"

namespace attest::golden {
namespace {

// Splits a script line into words as a POSIX shell would for the cases the script uses:
// blanks separate words; '...' keeps everything literally; "..." keeps everything but
// \" and \\; a backslash outside quotes keeps the next character.
std::vector<std::string> Words(const std::string& line, std::string* error) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t end = line.find('\'', i + 1);
      if (end == std::string::npos) {
        *error = "unterminated ' in: " + line;
        return {};
      }
      cur += line.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) {
          ++j;
        }
        cur += line[j];
      }
      if (j >= line.size()) {
        *error = "unterminated \" in: " + line;
        return {};
      }
      i = j;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
    } else {
      cur += c;
    }
  }
  if (in_word) words.push_back(cur);
  return words;
}

// A stream's text in the transcript: as it is, with a note where it does not end a line.
std::string Block(const std::string& text) {
  if (text.empty() || text.back() == '\n') return text;
  return text + "\n[no newline at the end]\n";
}

TEST(GoldenCliTest, CommandLineTranscriptIsUnchanged) {
  const std::string dir = std::string(ATTEST_TESTDATA_DIR) + "/golden";
  std::ifstream script(dir + "/cli.script");
  ASSERT_TRUE(script) << "cannot read " << dir << "/cli.script";
  TempDir work_dir("attest-golden-cli");
  TempDir scratch("attest-golden-run");
  const std::string work = work_dir.path();
  std::filesystem::create_directories(work + "/tmp");
  Normaliser norm(work);
  std::vector<std::string> env = FixedEnvironment(work);
  std::string transcript, input, line;
  int line_no = 0, commands = 0;
  while (std::getline(script, line)) {
    ++line_no;
    const std::string where = "cli.script:" + std::to_string(line_no) + ": ";
    if (line.empty()) continue;
    if (line[0] == '#') {
      transcript += line + "\n";
      continue;
    }
    std::string error;
    std::vector<std::string> words = Words(line, &error);
    ASSERT_TRUE(error.empty()) << where << error;
    ASSERT_FALSE(words.empty()) << where;
    const std::string verb = words[0];
    transcript += "$ " + line + "\n";
    if (verb == "write") {
      // write NAME <<TAG, then the file's lines, then TAG alone on a line.
      ASSERT_TRUE(words.size() == 3 && words[2].rfind("<<", 0) == 0) << where << line;
      const std::string tag = words[2].substr(2);
      std::string content;
      bool ended = false;
      while (std::getline(script, line)) {
        ++line_no;
        if (line == tag) {
          ended = true;
          break;
        }
        content += line + "\n";
      }
      ASSERT_TRUE(ended) << where << "no " << tag << " ends the file";
      const std::string path = work + "/" + words[1];
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      WriteAll(path, content);
      norm.Keep(ToHex(Sha256(content)));
    } else if (verb == "stdin") {
      // stdin TEXT: the next command reads TEXT and a newline.
      input = norm.Restore(line.substr(line.find(' ') + 1)) + "\n";
    } else if (verb == "env") {
      // env NAME=VALUE sets a variable for the commands after it; env -NAME unsets it.
      ASSERT_EQ(words.size(), 2u) << where << line;
      std::string name =
          words[1][0] == '-' ? words[1].substr(1) : words[1].substr(0, words[1].find('='));
      std::erase_if(env, [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
      if (words[1][0] != '-') env.push_back(norm.Restore(words[1]));
    } else if (verb == "attest") {
      // attest ARGS [> FILE]: FILE (in the work directory) receives standard output as well.
      std::vector<std::string> args(words.begin() + 1, words.end());
      std::string save_to;
      if (args.size() >= 2 && args[args.size() - 2] == ">") {
        save_to = work + "/" + args.back();
        args.resize(args.size() - 2);
      }
      for (auto& a : args) a = norm.Restore(a);
      Output r = RunCommand(args, env, work, input, scratch.path());
      if (!save_to.empty()) WriteAll(save_to, r.out);
      input.clear();
      ++commands;
      transcript += Block(norm.Apply(r.out));
      if (!r.err.empty()) transcript += "[stderr]\n" + Block(norm.Apply(r.err));
      transcript += "[exit " + std::to_string(r.exit_code) + "]\n\n";
    } else {
      FAIL() << where << "unknown directive '" << verb << "'";
    }
  }
  EXPECT_GT(commands, 0);
  const std::string diff = CompareWithRecording(transcript, dir + "/cli.transcript");
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace attest::golden
