/** A plain servlet application, with no Tether code, that the drop-in tests deploy unmodified. */
package dev.tether.session.dropin.sample;
