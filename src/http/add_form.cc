#include "http/add_form.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "core/hash.h"
#include "ingest/uploads.h"
#include "service/accounts.h"

namespace attest::http {
namespace {

// Stages one file of the form (its name kept privately: only its last part, without path);
// -1 if it cannot be.
int StageFile(Env* env, const std::string& staging, std::string name, AddForm* up) {
  uint8_t raw[16];
  env->RandomBytes(raw, sizeof(raw));
  name = ingest::CleanFileName(name);
  std::string dir =
      JoinPath(staging, "api-" + ToHex(std::string_view(reinterpret_cast<char*>(raw), 16)));
  if (!env->CreateDirs(dir).ok()) return -1;
  std::string path = JoinPath(dir, name);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) up->paths.push_back(path);
  return fd;
}

// The options of an add from its form's fields: witness, collection, lang, consent, meta,
// place..., date.
Status AddOptionsOf(AddForm& up, archive::AddOptions* opts) {
  opts->witness = up.fields["witness"];
  opts->collection = up.fields["collection"];
  if (!up.fields["lang"].empty()) opts->lang = up.fields["lang"];
  opts->places = up.places;
  opts->date = up.fields["date"];
  if (!up.fields["consent"].empty()) {
    ASSIGN_OR_RETURN(opts->consent, meta::ParseConsent(up.fields["consent"]));
  }
  if (!up.fields["meta"].empty()) {
    Json m = Json::parse(up.fields["meta"], nullptr, false);
    if (m.is_discarded() || !m.is_object()) {
      return Status::InvalidArgument("meta is not a JSON object");
    }
    opts->meta = m;
  }
  return Status::Ok();
}

// Whether the volunteer of `c` may name witness `id` (kPermissionDenied saying why not): one the
// archive does not know (no witness, no consent form), or one whose records it added, all.
Status VolunteerMayName(const Call& c, const std::string& id) {
  archive::Archive* a = c.archive();
  ASSIGN_OR_RETURN(auto known, a->records().Witnesses({id}));
  ASSIGN_OR_RETURN(auto forms, a->consent().ListWitnessForms(id));
  if (known.empty() && forms.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto records, a->records().List());
  bool theirs = false;
  for (const auto& r : records) {
    if (r.witness_id != id) continue;
    if (r.added_by.empty() || r.added_by != c.subject.Actor()) {
      theirs = false;
      break;
    }
    theirs = true;
  }
  if (theirs) return Status::Ok();
  return Status::PermissionDenied("witness '" + id +
                                  "' is known to the archive: a volunteer names a new witness, "
                                  "or one of its own intake; an archivist adds to the others");
}

}  // namespace

bool ReadAddForm(Env* env, const std::string& staging, const httplib::ContentReader& reader,
                 AddForm* up,
                 const std::function<bool(const std::string& name, const std::string& value)>&
                     first_field) {
  std::string field;
  int fd = -1;
  auto close_fd = [&] {
    if (fd >= 0) ::close(fd);
    fd = -1;
  };
  // The first field, checked once it is whole (when the second begins, or the form ends).
  bool checked = !first_field;
  int parts = 0;
  auto check_first = [&](const std::string& name, const std::string& value) {
    checked = true;
    if (first_field(name, value)) return true;
    up->refused = kFormTokenRefused;
    return false;
  };
  std::string first_name;
  bool whole = reader(
      [&](const httplib::MultipartFormData& part) {
        close_fd();
        if (!checked && parts == 1 && !check_first(first_name, up->fields[first_name])) {
          return false;
        }
        field = part.name;
        if (++parts == 1) first_name = field;
        if (!checked && (field == "file" || field == "consent_form") && !check_first(field, "")) {
          return false;
        }
        if (field == "file") {
          fd = StageFile(env, staging, part.filename, up);
          if (fd < 0) {
            up->refused = "cannot stage the upload";
            return false;
          }
        } else if (field == "consent_form") {
          // A form field left without a file sends an empty part with no name: none.
          if (part.filename.empty()) return true;
          if (!up->consent_form.empty()) {
            up->refused = "the form holds more than one 'consent_form' file";
            return false;
          }
          fd = StageFile(env, staging, part.filename, up);
          if (fd < 0) {
            up->refused = "cannot stage the upload";
            return false;
          }
          up->consent_form = up->paths.back();
        } else if (field == "place") {
          up->places.emplace_back();
        } else if (field == "upload") {
          up->uploads.emplace_back();
        }
        return true;
      },
      [&](const char* data, size_t n) {
        if (field == "file" || field == "consent_form") {
          if (fd < 0 && field == "consent_form") return n == 0;  // no file chosen: no bytes
          return fd >= 0 && ::write(fd, data, n) == static_cast<ssize_t>(n);
        }
        std::string& dst = field == "place"    ? up->places.back()
                           : field == "upload" ? up->uploads.back()
                                               : up->fields[field];
        if (dst.size() + n > 64 * 1024) {
          up->refused = "the field '" + field + "' is longer than 64 KiB";
          return false;
        }
        dst.append(data, n);
        return true;
      });
  close_fd();
  if (whole && !checked && !check_first(first_name, up->fields[first_name])) return false;
  if (!whole && up->refused.empty()) {
    up->refused = "the upload did not arrive whole (cut off, or slower than the server accepts)";
  }
  return up->refused.empty();
}


void RemoveStaged(Env* env, const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    (void)env->RemoveFile(p);
    (void)env->RemoveDir(p.substr(0, p.rfind('/')));
  }
}


Result<std::vector<archive::Added>> AddFromForm(
    Site* site, const Call& c, AddForm* form,
    const std::function<std::string(const std::string& path)>& refuse, bool* refused_file) {
  // Finished resumable uploads join the files: taken out of their upload, put back if the add
  // is refused, gone once it is done.
  std::vector<std::pair<std::string, std::string>> taken;  // upload id, path
  auto give_back = [&] {
    for (const auto& [id, path] : taken) site->uploads.Restore(id, path);
    RemoveStaged(site->env, form->paths);
  };
  for (const auto& id : form->uploads) {
    auto path = site->uploads.Take(id, c.subject.Actor());
    if (!path.ok()) {
      give_back();
      if (!path.status().IsNotFound()) return path.status();
      return Status::InvalidArgument("upload '" + id.substr(0, 40) +
                                     "' is not one of yours in progress");
    }
    taken.emplace_back(id, *path);
  }
  std::vector<std::string> paths;  // the record's files: the staged ones but a consent form
  for (const auto& p : form->paths) {
    if (p != form->consent_form) paths.push_back(p);
  }
  if (paths.empty() && taken.empty()) {
    give_back();
    return Status::InvalidArgument(
        "no field named 'file' holds a file, and no 'upload' names one");
  }
  archive::AddOptions opts;
  if (Status st = AddOptionsOf(*form, &opts); !st.ok()) {
    give_back();
    return st;
  }
  opts.added_by = c.subject.Actor();
  // The witness's details and signed consent form, if given: checked before anything is added,
  // kept once the record is.
  meta::Witness witness{opts.witness, form->fields["witness_name"],
                        form->fields["witness_community"], form->fields["witness_languages"]};
  const bool details =
      !witness.name.empty() || !witness.community.empty() || !witness.languages.empty();
  if ((details || !form->consent_form.empty()) && witness.id.empty()) {
    give_back();
    return Status::InvalidArgument(
        "a witness's name, community, languages or consent form need the witness's id (the "
        "field 'witness')");
  }
  if (details) {
    if (Status st = c.archive()->records().CheckWitness(witness); !st.ok()) {
      give_back();
      return st;
    }
  }
  // A volunteer names a new witness, or one whose every record it added itself: a testimony is
  // never put under, nor details and forms given to, a witness others took in.
  if (!opts.witness.empty() && !service::MayWrite(c.scope())) {
    if (Status st = VolunteerMayName(c, opts.witness); !st.ok()) {
      give_back();
      return st;
    }
  }
  if (!form->consent_form.empty()) {
    auto info = site->env->Stat(form->consent_form);
    if (!info.ok() || info->size == 0) {
      give_back();
      return Status::InvalidArgument("the consent form '" +
                                     form->consent_form.substr(form->consent_form.rfind('/') + 1) +
                                     "' is empty");
    }
  }
  for (const auto& t : taken) paths.push_back(t.second);
  for (const auto& p : paths) {
    if (std::string why = refuse ? refuse(p) : ""; !why.empty()) {
      give_back();
      if (refused_file) *refused_file = true;
      return Status::InvalidArgument(why);
    }
  }
  auto added = c.archive()->records().Add(paths, opts);
  if (!added.ok()) {
    give_back();
    return added.status();
  }
  Status kept = details ? c.archive()->records().SetWitness(witness) : Status::Ok();
  if (kept.ok() && !form->consent_form.empty()) {
    kept = c.archive()
               ->consent()
               .AttachConsentForm(witness.id, form->consent_form, c.subject.Actor())
               .status();
  }
  RemoveStaged(site->env, form->paths);
  for (const auto& t : taken) (void)site->uploads.Remove(t.first, c.subject.Actor());
  if (!kept.ok()) {
    return Status(kept.code(), "record " + (*added)[0].id +
                                   " was added, but the witness's details or consent form were "
                                   "not kept: " + kept.message());
  }
  return added;
}

}  // namespace attest::http
