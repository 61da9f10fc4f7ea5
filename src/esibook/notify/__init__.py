"""notify: messages to persons and employers, written in the deciding transaction and delivered after commit."""
