/**
 * The chat room: messages carried between instances by the session store's own publish/subscribe.
 */
package dev.tether.demo.chat;
