/** The near cache: recently used sessions kept on the app instance, validated by store version. */
package dev.tether.session.cache;
