package engine

func registerText(r *Registry) {}
