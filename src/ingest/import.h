// Bulk import from a CSV or JSONL manifest (doc/import.md): every row is validated first, with
// every problem reported by line, column and reason; then each good row is imported as one
// transaction, and a row imported before is skipped. Not thread-safe (uses one Archive).
#ifndef ATTEST_INGEST_IMPORT_H_
#define ATTEST_INGEST_IMPORT_H_

#include <string>
#include <vector>

#include "archive/archive.h"

namespace attest::ingest {

struct ImportProblem {
  int line = 0;
  std::string column;
  std::string message;
};

struct ImportedRow {
  int line = 0;
  std::string id, record, file;
};

struct ImportReport {
  std::vector<ImportedRow> imported;  // with --dry-run: what would be imported (no record)
  std::vector<ImportedRow> skipped;   // imported before
  std::vector<ImportProblem> problems;
  std::string batch;  // of the jobs the imported rows queued
  // "MANIFEST:LINE: COLUMN: message", one a line.
  std::string ProblemsText(const std::string& manifest_name) const;
};

// kInvalidArgument if the manifest cannot be read at all (not UTF-8, no header, no file
// column, a line that is not JSON); problems with rows are in the report.
Result<ImportReport> Import(archive::Archive* archive, const std::string& manifest,
                            const std::string& base_dir, bool dry_run);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_IMPORT_H_
