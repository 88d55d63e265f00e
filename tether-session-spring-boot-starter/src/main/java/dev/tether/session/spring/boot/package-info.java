/** Spring Boot auto-configuration of tether-session from {@code tether.session.*} properties. */
package dev.tether.session.spring.boot;
