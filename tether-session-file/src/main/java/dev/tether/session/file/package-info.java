/**
 * A session store in a directory on a shared file system: one file per session, written by atomic
 * rename, read without locks.
 */
package dev.tether.session.file;
