#include "pg.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cctype>

namespace slipway::pg {

namespace {

// libpq's messages end with a newline and may run to several lines; the first says it.
std::string
first_line(const char* message)
{
  std::string s = message ? message : "";
  auto nl = s.find('\n');
  if (nl != std::string::npos) {
    s.resize(nl);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) {
    s.pop_back();
  }
  return s.empty() ? std::string("unknown error") : s;
}

// A failed statement's message without libpq's "ERROR:  " severity prefix.
std::string
result_error(const PGresult* r, pg_conn* conn)
{
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  return primary ? first_line(primary) : first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
}

// `text` quoted by one of libpq's escape functions (PQescapeIdentifier, PQescapeLiteral).
std::string
escaped(pg_conn* conn, const std::string& text, char* (*escape)(PGconn*, const char*, size_t))
{
  char* q = escape(conn, text.c_str(), text.size());
  std::string s = q ? q : "";
  PQfreemem(q);
  return s;
}

struct ClearResult
{
  void
  operator()(PGresult* r) const
  {
    PQclear(r);
  }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

} // namespace

void
Connection::Close::operator()(pg_conn* c) const
{
  PQfinish(c);
}

util::Result<Connection>
Connection::open(const std::string& url, int timeout_seconds)
{
  std::string timeout = std::to_string(timeout_seconds);
  // The URL first (expanded), then what Slipway insists on.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), timeout.c_str(), "slipway", nullptr};
  Connection c;
  c.m_conn.reset(PQconnectdbParams(keys, values, 1));
  if (!c.m_conn) {
    return util::error("cannot allocate a PostgreSQL connection");
  }
  if (PQstatus(c.m_conn.get()) != CONNECTION_OK) {
    return util::error(first_line(PQerrorMessage(c.m_conn.get())));
  }
  return c;
}

util::Status
Connection::exec(const std::string& sql)
{
  ResultPtr r(PQexec(m_conn.get(), sql.c_str()));
  auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return util::error(result_error(r.get(), m_conn.get()));
  }
  return {};
}

util::Result<std::vector<std::vector<std::string>>>
Connection::query(const std::string& sql, const std::vector<std::string>& params)
{
  std::vector<const char*> values;
  for (const auto& p : params) {
    values.push_back(p.c_str());
  }
  ResultPtr r(PQexecParams(m_conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                           nullptr, 0));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return util::error(result_error(r.get(), m_conn.get()));
  }
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::string> row;
    for (int j = 0; j < PQnfields(r.get()); ++j) {
      row.emplace_back(PQgetvalue(r.get(), i, j));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string
Connection::identifier(const std::string& name) const
{
  return escaped(m_conn.get(), name, PQescapeIdentifier);
}

std::string
Connection::literal(const std::string& value) const
{
  return escaped(m_conn.get(), value, PQescapeLiteral);
}

Connection::Endpoint
Connection::endpoint() const
{
  auto text = [](const char* s) { return std::string(s ? s : ""); };
  PGconn* c = m_conn.get();
  return {text(PQhost(c)), text(PQport(c)), text(PQuser(c)), text(PQdb(c))};
}

std::string
make_url(const std::string& user,
         const std::string& password,
         const std::string& host,
         const std::string& port,
         const std::string& db)
{
  auto enc = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += fmt::format("%{:02X}", c);
      }
    }
    return out;
  };
  return fmt::format("postgres://{}:{}@{}{}/{}", enc(user), enc(password), enc(host), port.empty() ? "" : ":" + port,
                     enc(db));
}

} // namespace slipway::pg
