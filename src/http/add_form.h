// The form of an add (POST /api/v1/records and the intake page, doc/api.md): files streamed to
// staging as they arrive, finished resumable uploads named by id, and the record's fields;
// then the add itself, as `attest add` does it. Internal to src/http.
#ifndef ATTEST_HTTP_ADD_FORM_H_
#define ATTEST_HTTP_ADD_FORM_H_

#include <httplib.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "archive/records.h"
#include "core/env.h"
#include "http/site.h"

namespace attest::http {

// The form as it arrived: each file staged in a directory of its own under `staging`, and the
// other fields (each at most 64 KiB).
struct AddForm {
  std::vector<std::string> paths;  // of the staged files
  std::map<std::string, std::string> fields;
  std::vector<std::string> places;
  std::vector<std::string> uploads;  // ids of finished resumable uploads (doc/api.md)
  std::string consent_form;          // the staged consent form (also in `paths`), if one came
  std::string refused;               // why the form was refused, if it was
};

// What `refused` says when `first_field` refuses.
inline constexpr const char* kFormTokenRefused =
    "the form's token is missing or not this session's: reload the page and send it again";

// Reads an add's multipart form (fields file, upload, place repeatable; consent_form once). False, with `refused`
// set, if a file cannot be staged, a field is too long, `first_field` refuses the first field
// (called with its value once it is whole: the intake page's form token, checked before any
// file is staged), or the body was cut short; what was staged is then in `paths`, to be
// removed.
bool ReadAddForm(Env* env, const std::string& staging, const httplib::ContentReader& reader,
                 AddForm* form,
                 const std::function<bool(const std::string& name, const std::string& value)>&
                     first_field = nullptr);

// Removes the staged files and their directories.
void RemoveStaged(Env* env, const std::vector<std::string>& paths);

// Adds the form's files and its finished uploads (the caller's own) as one add; removes the
// staged files whatever happens, ends the uploads once added and keeps them if the add is
// refused. The witness's details (witness_name, private; witness_community; witness_languages)
// and a signed consent form (consent_form, stored encrypted and audited as `form.add`, as
// `attest witness --consent-form` does) are checked before anything is added and kept after. kInvalidArgument naming the field for a bad field, an upload that is not the
// caller's or not finished, or a form without a file. `refuse`, if given, is asked of every
// file (staged or uploaded) before anything is added: a non-empty answer refuses the add with
// it as the message, and sets `*refused_file`.
Result<std::vector<archive::Added>> AddFromForm(
    Site* site, const Call& c, AddForm* form,
    const std::function<std::string(const std::string& path)>& refuse = nullptr,
    bool* refused_file = nullptr);

}  // namespace attest::http

#endif  // ATTEST_HTTP_ADD_FORM_H_
