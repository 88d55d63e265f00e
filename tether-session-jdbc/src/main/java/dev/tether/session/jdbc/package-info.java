/**
 * A session store in a SQL database (PostgreSQL, MariaDB/MySQL, H2) over a pooled {@link
 * javax.sql.DataSource}: one row per session, one row per attribute, one transaction per write.
 */
package dev.tether.session.jdbc;
