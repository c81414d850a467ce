// The SQLite backend of meta::Store: API tokens, people's accounts and their sessions.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "meta/sqlite_store.h"

namespace attest::meta {

Status SqliteStore::AddToken(const Token& t) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO tokens(id, sha256, role, label, created, "
                                        "expires, revoked) VALUES (?, ?, ?, ?, ?, ?, NULL)"));
  s.Bind(1, t.id).Bind(2, t.sha256).Bind(3, t.role).Bind(4, t.label).Bind(5, t.created);
  if (t.expires.empty()) {
    s.BindNull(6);
  } else {
    s.Bind(6, t.expires);
  }
  return s.Run();
}

Result<std::optional<Token>> SqliteStore::FindToken(const std::string& sha256) {
  ASSIGN_OR_RETURN(auto all, SelectTokens("WHERE sha256 = ?", sha256));
  if (all.empty()) return std::optional<Token>();
  return std::optional<Token>(std::move(all[0]));
}

Result<std::vector<Token>> SqliteStore::ListTokens() { return SelectTokens("", ""); }

Result<bool> SqliteStore::RevokeToken(const std::string& id, const std::string& now) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL"));
  RETURN_IF_ERROR(s.Bind(1, now).Bind(2, id).Run());
  return db_->Changes() > 0;
}

Result<std::vector<Token>> SqliteStore::SelectTokens(const char* where, const std::string& arg) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT id, sha256, role, label, created, "
                                                    "COALESCE(expires, ''), COALESCE(revoked, "
                                                    "'') FROM tokens ") +
                                        where + " ORDER BY created, id"));
  if (*where) s.Bind(1, arg);
  return Rows<Token>(s, [](Stmt& row) -> Token {
    return {row.Text(0), row.Text(1), row.Text(2), row.Text(3),
            row.Text(4), row.Text(5), row.Text(6)};
  });
}

Status SqliteStore::AddUser(const User& u) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO users(id, name, role, password, created) "
                                        "VALUES (?, ?, ?, ?, ?)"));
  return s.Bind(1, u.id)
      .Bind(2, u.name)
      .Bind(3, u.role)
      .Bind(4, u.password)
      .Bind(5, u.created)
      .Run();
}

Result<std::optional<User>> SqliteStore::FindUser(const std::string& name) {
  ASSIGN_OR_RETURN(auto all, SelectUsers("WHERE name = ?", name));
  if (all.empty()) return std::optional<User>();
  return std::optional<User>(std::move(all[0]));
}

Result<std::vector<User>> SqliteStore::ListUsers() { return SelectUsers("", ""); }

Result<std::vector<User>> SqliteStore::SelectUsers(const char* where, const std::string& arg) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare(std::string("SELECT id, name, role, password, created, "
                                                    "COALESCE(disabled, '') FROM users ") +
                                        where + " ORDER BY name"));
  if (*where) s.Bind(1, arg);
  return Rows<User>(s, [](Stmt& row) -> User {
    return {row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5)};
  });
}

Result<bool> SqliteStore::SetUserRole(const std::string& name, const std::string& role) {
  return UpdateUser("role = ?", role, name);
}

Result<bool> SqliteStore::SetUserPassword(const std::string& name, const std::string& password) {
  return UpdateUser("password = ?", password, name);
}

Result<bool> SqliteStore::SetUserDisabled(const std::string& name, const std::string& disabled) {
  return UpdateUser("disabled = NULLIF(?, '')", disabled, name);
}

Result<bool> SqliteStore::UpdateUser(const char* set, const std::string& value,
                                     const std::string& name) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  {
    ASSIGN_OR_RETURN(Stmt s,
                     db_->Prepare(std::string("UPDATE users SET ") + set + " WHERE name = ?"));
    RETURN_IF_ERROR(s.Bind(1, value).Bind(2, name).Run());
  }
  if (db_->Changes() == 0) return false;
  ASSIGN_OR_RETURN(Stmt d, db_->Prepare("DELETE FROM sessions WHERE user_id = "
                                        "(SELECT id FROM users WHERE name = ?)"));
  RETURN_IF_ERROR(d.Bind(1, name).Run());
  RETURN_IF_ERROR(txn->Commit());
  return true;
}

Status SqliteStore::AddSession(const Session& x) {
  ASSIGN_OR_RETURN(auto txn, Transaction::Begin(db_.get()));
  {
    ASSIGN_OR_RETURN(Stmt d, db_->Prepare("DELETE FROM sessions WHERE expires <= ?"));
    RETURN_IF_ERROR(d.Bind(1, x.created).Run());
  }
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO sessions(sha256, user_id, csrf, created, "
                                        "expires) VALUES (?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(s.Bind(1, x.sha256)
                      .Bind(2, x.user_id)
                      .Bind(3, x.csrf)
                      .Bind(4, x.created)
                      .Bind(5, x.expires)
                      .Run());
  return txn->Commit();
}

Result<std::optional<std::pair<Session, User>>> SqliteStore::FindSession(
    const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT s.sha256, s.user_id, s.csrf, s.created, "
                                        "s.expires, u.id, u.name, u.role, u.password, "
                                        "u.created, COALESCE(u.disabled, '') FROM sessions s "
                                        "JOIN users u ON u.id = s.user_id WHERE s.sha256 = ?"));
  s.Bind(1, sha256);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::pair<Session, User>>();
  return std::optional<std::pair<Session, User>>(
      {Session{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)},
       User{s.Text(5), s.Text(6), s.Text(7), s.Text(8), s.Text(9), s.Text(10)}});
}

Status SqliteStore::DeleteSession(const std::string& sha256) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM sessions WHERE sha256 = ?"));
  return s.Bind(1, sha256).Run();
}

}  // namespace attest::meta
