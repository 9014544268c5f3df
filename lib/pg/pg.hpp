// libpq, wrapped: one connection that closes itself, commands and queries as results.
#pragma once

#include <util/result.hpp>

#include <memory>
#include <string>
#include <vector>

struct pg_conn;

namespace slipway::pg {

// One connection to a PostgreSQL server.
class Connection
{
public:
  // Connect with a libpq URL (postgres://USER:PASSWORD@HOST:PORT/DB), giving up after
  // `timeout_seconds`. The error is libpq's first line, which never holds the password.
  static util::Result<Connection> open(const std::string& url, int timeout_seconds);

  // Run one statement that returns no rows (CREATE, ALTER, DROP...).
  util::Status exec(const std::string& sql);
  // Run a query with $1... parameters; every row's columns as text (NULL as "").
  util::Result<std::vector<std::vector<std::string>>> query(const std::string& sql,
                                                            const std::vector<std::string>& params = {});

  // `name` quoted as an identifier, `value` as a string literal, for this connection.
  std::string identifier(const std::string& name) const;
  std::string literal(const std::string& value) const;

  // Where the connection is: the host (or socket directory) and port it reached, the user it
  // logged in as and the database it is connected to.
  struct Endpoint
  {
    std::string host, port, user, database;
  };
  Endpoint endpoint() const;

private:
  struct Close
  {
    void operator()(pg_conn* c) const;
  };
  std::unique_ptr<pg_conn, Close> m_conn;
};

// A postgres:// URL for `user` with `password` on `host`:`port`, database `db`; every part
// percent-encoded.
std::string make_url(const std::string& user,
                     const std::string& password,
                     const std::string& host,
                     const std::string& port,
                     const std::string& db);

} // namespace slipway::pg
