package editor

func (s *Server) chat(c *wsConn) { c.close(closeInternalError, "chat is not available yet") }
