/** The {@code tethersessions} Actuator endpoint. */
package dev.tether.session.spring.boot.actuate;
