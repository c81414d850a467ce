#include "archive/finder.h"

#include <sys/stat.h>

#include "archive/internal.h"
#include "archive/semantic_sync.h"
#include "search/query.h"
#include "search/result_cache.h"

namespace attest::archive {

Finder::~Finder() = default;

Result<search::Results> Finder::Search(search::SearchRequest request) {
  RETURN_IF_ERROR(search::ParseQuery(request.query).status());  // bad queries are named first
  ASSIGN_OR_RETURN(auto names, SearchNames());
  request.names.insert(request.names.end(), names.begin(), names.end());
  ASSIGN_OR_RETURN(search::LexicalIndex * index, SearchReader());
  if (!index) return search::Results();
  return index->Search(request);
}

Result<std::vector<search::Suggestion>> Finder::Suggest(std::string_view prefix, search::Role role,
                                                        size_t limit) {
  auto index = Reader();
  if (!index.ok() && index.status().IsNotFound()) return std::vector<search::Suggestion>();
  if (!index.ok()) return index.status();
  return (*index)->Suggest(prefix, role, limit);
}

Result<search::Retrieved> Finder::Retrieve(search::RetrieveRequest request) {
  ASSIGN_OR_RETURN(auto names, SearchNames());
  request.names.insert(request.names.end(), names.begin(), names.end());
  ASSIGN_OR_RETURN(search::LexicalIndex * index, SearchReader());
  if (!index) {
    RETURN_IF_ERROR(search::CheckRetrieveRequest(request));  // bad questions are still named
    return search::Retrieved();
  }
  ASSIGN_OR_RETURN(const search::Translator* translator, in_->ask->GetTranslator());
  search::SemanticSearch semantic;
  ASSIGN_OR_RETURN(auto model, in_->semantic->EmbeddingModel());
  if (model) {
    ASSIGN_OR_RETURN(search::SemanticIndex * reader, SemanticReader(*model));
    if (reader) {
      semantic = [this, reader, m = *model](std::string_view question, search::Role role,
                                            size_t k) -> Result<std::vector<int64_t>> {
        // A model that cannot be read now leaves the semantic path out of this answer (which
        // then says so), rather than failing it.
        auto q = in_->ask->EmbedQuery(m, question);
        if (!q.ok()) return std::vector<int64_t>();
        return reader->Search(*q, role, k);
      };
    }
  }
  return search::Retrieve(index, translator, semantic, request);
}

void Finder::ShareSearchCache(std::shared_ptr<search::ResultCache> cache) {
  search_cache_ = std::move(cache);
  if (reader_) reader_->ShareCache(search_cache_);
}

void Finder::ShareSearchResources(std::shared_ptr<search::Resources> resources) {
  in_->ask = std::move(resources);
}

std::shared_ptr<search::Resources> Finder::search_resources() const { return in_->ask; }

Result<search::LexicalIndex*> Finder::Reader() {
  std::string dir = JoinPath(in_->dir, "index/lexical");
  struct stat st;
  uint64_t inode = ::stat(dir.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
  if (reader_ && inode == reader_inode_ && reader_->Reopen().ok()) return reader_.get();
  reader_.reset();
  ASSIGN_OR_RETURN(reader_, search::LexicalIndex::OpenReadOnly(dir));
  reader_inode_ = inode;
  if (search_cache_) reader_->ShareCache(search_cache_);
  return reader_.get();
}

Result<search::LexicalIndex*> Finder::SearchReader() {
  auto index = Reader();
  if (!index.ok() && index.status().IsNotFound()) {
    ASSIGN_OR_RETURN(int64_t segments, in_->store->MaxSegmentId());
    if (segments == 0) return nullptr;
  }
  return index;
}

Result<search::SemanticIndex*> Finder::SemanticReader(const meta::ModelFile& model) {
  std::string sdir = JoinPath(in_->dir, "index/semantic");
  struct stat st;
  if (::stat(JoinPath(sdir, "meta.json").c_str(), &st) != 0) return nullptr;
  std::string stamp = std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                      std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_size);
  if (!semantic_reader_ || stamp != semantic_stamp_) {
    semantic_reader_.reset();
    auto r = search::SemanticIndex::OpenReadOnly(sdir);
    if (!r.ok())
      return r.status().IsNotFound() ? Result<search::SemanticIndex*>(nullptr)
                                     : Result<search::SemanticIndex*>(r.status());
    semantic_reader_ = std::move(*r);
    semantic_stamp_ = stamp;
  }
  if (semantic_reader_->provenance().value("model_sha256", "") != model.sha256) return nullptr;
  return semantic_reader_.get();
}

Result<std::vector<std::string>> Finder::SearchNames() {
  ASSIGN_OR_RETURN(auto names, ListedNames(in_->store.get()));
  for (const char* kind : {"place", "person"}) {
    ASSIGN_OR_RETURN(auto values, in_->store->AnnotationValues(kind));
    for (auto& v : values) names.push_back(std::move(v));
  }
  return names;
}

}  // namespace attest::archive
