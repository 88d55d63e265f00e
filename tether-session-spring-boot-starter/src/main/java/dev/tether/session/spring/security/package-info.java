/**
 * Spring Security over tether-session: a cluster-wide session registry and JSON security contexts.
 */
package dev.tether.session.spring.security;
